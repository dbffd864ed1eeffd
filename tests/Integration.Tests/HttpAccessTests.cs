using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The silo's HTTP listeners over real sockets, in the silo process as users start it: with Http:BearerTokenFile set,
/// the API, /metrics and the Orleans Dashboard answer 401 without the token and serve with it, the probes stay open;
/// without a token, a listener bound beyond loopback is warned about at start-up.
/// </summary>
public sealed class HttpAccessTests
{
    private const string Token = "s3cr3t-api-token-4f9d2c7e1b";

    [Fact]
    public async Task With_a_token_every_listener_but_the_probes_requires_it()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        try
        {
            await using var silo = await SiloProcess.StartEmbeddedAsync(new Dictionary<string, string> { ["Http__BearerTokenFile"] = tokenFile });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

            foreach (var probe in new[] { "healthz", "readyz" })
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(silo.Api, probe))).StatusCode);
            }

            foreach (var path in new[] { "api/v1/clusters", "metrics", "api/v1/services/default/none" })
            {
                var anonymous = await http.GetAsync(new Uri(silo.Api, path));
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
                Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
                Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, new Uri(silo.Api, path), new("Bearer", Token + "x"))).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, new Uri(silo.Api, path), new("Bearer", Token[..^1]))).StatusCode);
            }

            var clusters = await SendAsync(http, new Uri(silo.Api, "api/v1/clusters"), new("Bearer", Token));
            Assert.Equal(HttpStatusCode.OK, clusters.StatusCode);
            Assert.Contains("cluster-1", await clusters.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var metrics = await SendAsync(http, new Uri(silo.Api, "metrics"), new("Bearer", Token));
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);

            // The dashboard's own listener: the same token, as a bearer token or (for a browser) as the Basic password.
            var dashboard = await http.GetAsync(silo.Dashboard);
            Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
            Assert.Contains(dashboard.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, silo.Dashboard, Basic("admin", "wrong-password-123456"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, silo.Dashboard, new("Bearer", Token))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, silo.Dashboard, Basic("admin", Token))).StatusCode);

            // A rotated Secret: the new token works once the file changed (read again within seconds), the old one not.
            const string Rotated = "rotated-api-token-77c1e0a9d3";
            await File.WriteAllTextAsync(tokenFile, Rotated);
            File.SetLastWriteTimeUtc(tokenFile, DateTime.UtcNow.AddMinutes(1));
            await Eventually.Until(async () => (await SendAsync(http, new Uri(silo.Api, "api/v1/clusters"), new("Bearer", Rotated))).StatusCode == HttpStatusCode.OK, "the rotated token accepted");
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, new Uri(silo.Api, "api/v1/clusters"), new("Bearer", Token))).StatusCode);
            Assert.DoesNotContain("SECURITY:", silo.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task Without_a_token_loopback_is_open_and_an_exposed_listener_is_warned_about()
    {
        await using var silo = await SiloProcess.StartEmbeddedAsync(new Dictionary<string, string> { ["Http__Urls"] = "http://0.0.0.0:0" });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(silo.Api, "api/v1/clusters"))).StatusCode);
        await Eventually.Until(() => silo.Output.Contains("SECURITY: the HTTP listener http://0.0.0.0:", StringComparison.Ordinal), "the start-up warning about the exposed API listener");

        // The dashboard stayed on loopback: no warning names it.
        Assert.DoesNotContain($"SECURITY: the HTTP listener {silo.Dashboard.ToString().TrimEnd('/')}", silo.Output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri uri, AuthenticationHeaderValue authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = authorization;
        return await http.SendAsync(request);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
