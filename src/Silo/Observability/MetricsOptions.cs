namespace ErieCanal.Orleans.Silo.Observability;

/// <summary>The Prometheus endpoint (section <c>Metrics</c>), served on the silo's HTTP listener.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve the OpenTelemetry metrics in Prometheus text format. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The scrape path.</summary>
    public string Path { get; set; } = "/metrics";
}
