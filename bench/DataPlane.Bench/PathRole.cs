namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>What a path stands for in the report: the targets compare <see cref="System"/> against <see cref="Floor"/>.</summary>
public enum PathRole
{
    /// <summary>Straight to a pod: what the request costs with no data plane at all.</summary>
    Floor,

    /// <summary>The whole path a consuming member's client takes: client-side proxy → exporting gateway address → pod.</summary>
    System,

    /// <summary>The system's path entered transparently: origin form, the Host naming the service, as a Service whose endpoints are the proxy hands it over.</summary>
    Transparent,

    /// <summary>A part of the system's path, measured to find where the time goes (<c>--hops</c>).</summary>
    Hop,
}
