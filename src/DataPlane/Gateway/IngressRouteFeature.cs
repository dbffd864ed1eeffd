namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>The Ingress route a request matched, for the path-rewrite transform further down the pipeline.</summary>
internal sealed record IngressRouteFeature(IngressRoute Route);
