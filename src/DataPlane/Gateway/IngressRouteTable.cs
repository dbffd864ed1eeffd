using ErieCanal.Orleans.DataPlane.MemberView;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>
/// The gateway's routes, in the order they are tried: host-specific before wildcard before any host, then the
/// longest path, Exact before Prefix of the same path, then the oldest Ingress (as ingress-nginx resolves ties).
/// </summary>
public sealed class IngressRouteTable
{
    public const string ClassAnnotation = "kubernetes.io/ingress.class";

    private IngressRouteTable(IReadOnlyList<IngressRoute> routes) => Routes = routes;

    public static IngressRouteTable Empty { get; } = new([]);

    public IReadOnlyList<IngressRoute> Routes { get; }

    /// <summary>The routes' backends: cluster id -> ready endpoints (a backend shared by several paths appears once).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PodEndpoint>> Clusters =>
        Routes.GroupBy(r => r.ClusterId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Endpoints, StringComparer.Ordinal);

    public static bool IsOfClass(V1Ingress ingress, string ingressClass) =>
        string.Equals(ingress.Spec?.IngressClassName, ingressClass, StringComparison.Ordinal)
        || (ingress.Metadata.Annotations?.TryGetValue(ClassAnnotation, out var annotated) == true && string.Equals(annotated, ingressClass, StringComparison.Ordinal));

    /// <summary>Routes of the Ingresses of <paramref name="ingressClass"/>; <paramref name="skipped"/> hears of each path that cannot be routed, and why.</summary>
    public static IngressRouteTable Build(IEnumerable<V1Ingress> ingresses, ServiceDirectory services, string ingressClass, Action<string, string>? skipped = null)
    {
        var ranked = new List<(IngressRoute Route, DateTime Created, int Index)>();
        foreach (var ingress in ingresses.Where(i => IsOfClass(i, ingressClass)))
        {
            var ns = ingress.Metadata.NamespaceProperty ?? "default";
            var name = $"{ns}/{ingress.Metadata.Name}";
            var created = ingress.Metadata.CreationTimestamp ?? DateTime.MaxValue;
            PathRewrite? rewrite;
            try
            {
                rewrite = PathRewrite.FromAnnotations(ingress.Metadata.Annotations);
            }
            catch (ArgumentException ex)
            {
                skipped?.Invoke(name, $"annotation {PathRewrite.FromAnnotation} is not a valid regular expression ({ex.Message}); paths are routed without rewrite");
                rewrite = null;
            }

            var index = 0;
            foreach (var rule in ingress.Spec?.Rules ?? [])
            {
                var host = string.IsNullOrEmpty(rule.Host) ? null : rule.Host;
                foreach (var path in rule.Http?.Paths ?? [])
                {
                    var route = Resolve(name, ns, host, path.Path, path.PathType, path.Backend, rewrite, services, skipped);
                    if (route is not null)
                    {
                        ranked.Add((route, created, index++));
                    }
                }
            }

            // The default backend takes whatever no rule matched.
            if (ingress.Spec?.DefaultBackend is { } fallback)
            {
                var route = Resolve(name, ns, null, "/", "Prefix", fallback, rewrite, services, skipped);
                if (route is not null)
                {
                    ranked.Add((route with { Path = "" }, created, int.MaxValue));
                }
            }
        }

        return new IngressRouteTable(
        [
            .. ranked
                .OrderBy(r => HostRank(r.Route.Host))
                .ThenByDescending(r => r.Route.Path.Length)
                .ThenBy(r => r.Route.PathType == IngressPathType.Exact ? 0 : 1)
                .ThenBy(r => r.Created)
                .ThenBy(r => r.Route.Ingress, StringComparer.Ordinal)
                .ThenBy(r => r.Index)
                .Select(r => r.Route),
        ]);
    }

    /// <summary>The first route, in precedence order, whose host and path match; null when none does.</summary>
    public IngressRoute? Match(string host, string path)
    {
        foreach (var route in Routes)
        {
            if (route.MatchesHost(host) && route.MatchesPath(path))
            {
                return route;
            }
        }

        return null;
    }

    private static int HostRank(string? host) => host is null ? 2 : host.StartsWith("*.", StringComparison.Ordinal) ? 1 : 0;

    private static IngressRoute? Resolve(
        string ingress, string ns, string? host, string? path, string? pathType, V1IngressBackend? backend, PathRewrite? rewrite, ServiceDirectory services, Action<string, string>? skipped)
    {
        if (string.IsNullOrEmpty(path) || !path.StartsWith('/'))
        {
            skipped?.Invoke(ingress, $"path '{path}' is not absolute");
            return null;
        }

        if (backend?.Service is not { } backendService || string.IsNullOrEmpty(backendService.Name))
        {
            skipped?.Invoke(ingress, $"path '{path}' has no Service backend");
            return null;
        }

        var type = pathType == "Exact" ? IngressPathType.Exact : IngressPathType.Prefix;
        var portKey = backendService.Port?.Number is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : backendService.Port?.Name ?? "";
        var clusterId = $"{ns}/{backendService.Name}:{portKey}";
        IReadOnlyList<PodEndpoint> endpoints = [];
        if (services.Find(ns, backendService.Name) is { } service)
        {
            var port = backendService.Port?.Number is { } number
                ? ServiceDirectory.PortByNumber(service, number)
                : ServiceDirectory.PortByName(service, backendService.Port?.Name ?? "");
            if (port is not null)
            {
                endpoints = services.ReadyEndpoints(service, port);
            }
        }

        // A missing Service or port still claims the path: requests get 503, as from a controller with no endpoints.
        return new IngressRoute(ingress, host, path, type, rewrite, clusterId, endpoints);
    }
}
