namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>Active endpoints take traffic; Standby ones only when no Active one can be reached (Unhealthy never do).</summary>
public enum ProxyTier
{
    Active = 0,
    Standby = 1,
}
