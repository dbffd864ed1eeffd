namespace ErieCanal.Orleans.Silo.Hosting;

/// <summary>
/// How long the silo may take to stop on SIGTERM (section <c>Shutdown</c>): it leaves the Orleans membership,
/// deactivates its grains (writing their state) and closes its watches within it. Set it below the pod's
/// terminationGracePeriodSeconds (the chart does), or Kubernetes kills the silo halfway through.
/// </summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>Seconds, as the chart derives them from the grace period (a TimeSpan of "55" would read as days).</summary>
    public int TimeoutSeconds { get; set; } = 30;
}
