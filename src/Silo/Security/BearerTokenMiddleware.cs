using System.Net.Http.Headers;
using System.Text;
using ErieCanal.Orleans.Silo.Observability;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ErieCanal.Orleans.Silo.Security;

/// <summary>
/// Lets a request through when no token is configured, when it is a probe, or when it carries the token; answers
/// 401 with a Bearer challenge otherwise. Runs before routing, so no endpoint (API, metrics, dashboard) is missed.
/// </summary>
public sealed class BearerTokenMiddleware(RequestDelegate next, BearerTokenCheck check, IOptions<SiloDashboardOptions> dashboard)
{
    private const string DashboardRealm = "Basic realm=\"Orleans Dashboard\", charset=\"UTF-8\"";

    public Task InvokeAsync(HttpContext context)
    {
        if (!check.Enabled || HttpAccessOptions.OpenPaths.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            return next(context);
        }

        var onDashboard = OnDashboard(context);
        if (AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization.ToString(), out var header) && header.Parameter is { Length: > 0 } credentials)
        {
            if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && check.Matches(credentials))
            {
                return next(context);
            }

            // A browser cannot send a bearer token but prompts for Basic: the dashboard takes the token as the password.
            if (onDashboard && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && BasicPassword(credentials) is { } password && check.Matches(password))
            {
                return next(context);
            }
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = onDashboard ? new StringValues(["Bearer", DashboardRealm]) : new StringValues("Bearer");
        return Task.CompletedTask;
    }

    private bool OnDashboard(HttpContext context)
    {
        var settings = dashboard.Value;
        return settings.Enabled && (settings.Port is { } port
            ? context.Connection.LocalPort == port
            : context.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase));
    }

    private static string? BasicPassword(string credentials)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(credentials));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : text[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
