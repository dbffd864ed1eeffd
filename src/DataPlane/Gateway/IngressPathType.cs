namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>networking.k8s.io/v1 pathType; ImplementationSpecific is matched as Prefix here.</summary>
public enum IngressPathType
{
    Prefix,
    Exact,
}
