using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Health;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Queues;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers;

/// <summary>Configuration of the reconciler (section <c>ErieCanal</c>). Every value has a production default.</summary>
public sealed class ErieCanalOptions
{
    public const string Section = "ErieCanal";

    /// <summary>Path to the control-plane kubeconfig. Empty: in-cluster config when running in a pod.</summary>
    public string? ControlPlaneKubeconfig { get; set; }

    /// <summary>Identifies this control plane in the members it claims. Empty: the control plane's kube-system namespace uid.</summary>
    public string? ControlPlaneId { get; set; }

    /// <summary>The region this silo runs in (silo metadata); member grains prefer silos of their member's region.</summary>
    public string Region { get; set; } = "default";

    /// <summary>How often every silo re-sends the Cluster objects to their grains (reactivates grains lost with a silo).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often each writer compares its member's ServiceImports with the desired state (lost-notification repair).</summary>
    public TimeSpan RepairInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often an export re-sends an unchanged contribution to its service's grain, so a contribution a store lost
    /// (restored from an older copy, or an fsync-less Redis that crashed) comes back; an unchanged one costs a compare.
    /// </summary>
    public TimeSpan ContributionRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether a member's kubeconfig (from a Cluster object or its Secret) may get credentials from an exec plugin or
    /// an auth provider command. Off: the silo would run a command named by whoever can write a Cluster.
    /// </summary>
    public bool AllowMemberExecCredentials { get; set; }

    /// <summary>The Kubernetes Multi-Cluster Services API (multicluster.x-k8s.io, KEP-2149 cluster ids).</summary>
    public McsOptions Mcs { get; set; } = new();

    /// <summary>
    /// Where a member holds a flomesh.io ServiceImport and no Service of its namespace/name, write a selectorless
    /// Service of that name whose endpoints are the member's client-side proxy, so that plain pods reach
    /// <c>svc.ns</c> with no proxy setting (docs/data-plane.md). A user's Service of that name is never touched.
    /// </summary>
    public bool SameNameServices { get; set; } = true;

    /// <summary>Probes of members and exported services, and how their health is decided.</summary>
    public HealthOptions Health { get; set; } = new();

    /// <summary>Bound on one request to a member or the control plane.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How the silo connects to members' API servers: HTTP/2 where offered, else a bounded HTTP/1.1 pool.</summary>
    public MemberConnectionOptions MemberConnections { get; set; } = new();

    /// <summary>How many observations one member session sends to export grains at once.</summary>
    public int ObservationConcurrency { get; set; } = 16;

    /// <summary>How long a member's grain waits for its session's in-flight observations when it stops it.</summary>
    public TimeSpan SessionStopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many ServiceImport writes one member's writer runs at once.</summary>
    public int WriterConcurrency { get; set; } = 8;

    /// <summary>
    /// The one retry contract (ServiceImport writes, export Ingress and status writes, observations sent to grains):
    /// per-key exponential backoff from the initial delay to the max; a success resets it.
    /// </summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>
    /// The ingress class of the Ingresses written for exports (<c>spec.ingressClassName</c>); the member's gateway
    /// serves that class, and other Ingresses of it are checked for path conflicts.
    /// </summary>
    public string IngressClass { get; set; } = "erie-canal-orleans";

    /// <summary>
    /// Replace a member's flomesh.io CRDs with ours (or install missing ones) when their schema cannot hold what the
    /// system writes. Off: a Cluster condition CrdsCompatible=False names the CRD and field instead.
    /// </summary>
    public bool UpgradeMemberCrds { get; set; } = true;

    /// <summary>Watch behaviour: server timeout, silent-hang watchdog, backoff.</summary>
    public InformerOptions Informer { get; set; } = new();
}

/// <summary>Rejects configurations that cannot work, at start-up, with a message naming the setting.</summary>
public sealed class ErieCanalOptionsValidator : IValidateOptions<ErieCanalOptions>
{
    public ValidateOptionsResult Validate(string? name, ErieCanalOptions options)
    {
        var failures = new List<string>();
        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{ErieCanalOptions.Section}:{setting} must be positive (was {value})");
            }
        }

        Positive(options.ResyncInterval, nameof(options.ResyncInterval));
        Positive(options.RepairInterval, nameof(options.RepairInterval));
        Positive(options.ContributionRefreshInterval, nameof(options.ContributionRefreshInterval));
        Positive(options.Health.ProbeInterval, "Health:ProbeInterval");
        Positive(options.Health.ProbeTimeout, "Health:ProbeTimeout");
        Positive(options.Health.ServiceProbeInterval, "Health:ServiceProbeInterval");
        Positive(options.RequestTimeout, nameof(options.RequestTimeout));
        Positive(options.SessionStopTimeout, nameof(options.SessionStopTimeout));
        Positive(options.Mcs.ProxyRefreshInterval, "Mcs:ProxyRefreshInterval");
        if (options.Mcs.ProxyListenerFirstPort is < 1024 or > 65535 || options.Mcs.ProxyListenerLastPort is < 1024 or > 65535
            || options.Mcs.ProxyListenerLastPort - options.Mcs.ProxyListenerFirstPort < 1)
        {
            failures.Add($"{ErieCanalOptions.Section}:Mcs:ProxyListenerFirstPort/ProxyListenerLastPort must be a range of at least two ports within 1024-65535 (was {options.Mcs.ProxyListenerFirstPort}-{options.Mcs.ProxyListenerLastPort})");
        }
        if (string.IsNullOrWhiteSpace(options.Mcs.ProxyServiceSelector))
        {
            failures.Add($"{ErieCanalOptions.Section}:Mcs:ProxyServiceSelector must be a label selector such as app.kubernetes.io/component=proxy (was empty)");
        }

        if (options.Health.MaxMemberProbesPerSecond < 1)
        {
            failures.Add($"{ErieCanalOptions.Section}:Health:MaxMemberProbesPerSecond must be at least 1 (was {options.Health.MaxMemberProbesPerSecond})");
        }

        if (options.Health.FreshRounds is < 3 or > 100)
        {
            failures.Add($"{ErieCanalOptions.Section}:Health:FreshRounds must be between 3 and 100, or a silo's report may be stale before its keep-alive lands (was {options.Health.FreshRounds})");
        }

        if (options.ObservationConcurrency is < 1 or > 256)
        {
            failures.Add($"{ErieCanalOptions.Section}:ObservationConcurrency must be between 1 and 256 (was {options.ObservationConcurrency})");
        }

        if (options.MemberConnections.Http1RequestConnections is < 1 or > 64)
        {
            failures.Add($"{ErieCanalOptions.Section}:MemberConnections:Http1RequestConnections must be between 1 and 64 (was {options.MemberConnections.Http1RequestConnections})");
        }

        Positive(options.Retry.InitialBackoff, "Retry:InitialBackoff");
        if (options.Retry.MaxBackoff < options.Retry.InitialBackoff)
        {
            failures.Add($"{ErieCanalOptions.Section}:Retry:MaxBackoff must be at least Retry:InitialBackoff (was {options.Retry.MaxBackoff} < {options.Retry.InitialBackoff})");
        }

        if (options.Health.UnhealthyThreshold is < 1 or > 100 || options.Health.HealthyThreshold is < 1 or > 100)
        {
            failures.Add($"{ErieCanalOptions.Section}:Health:UnhealthyThreshold and Health:HealthyThreshold must be between 1 and 100 (were {options.Health.UnhealthyThreshold} and {options.Health.HealthyThreshold})");
        }

        if (options.WriterConcurrency is < 1 or > 256)
        {
            failures.Add($"{ErieCanalOptions.Section}:WriterConcurrency must be between 1 and 256 (was {options.WriterConcurrency})");
        }

        if (string.IsNullOrEmpty(options.IngressClass) || options.IngressClass.Length > 253
            || !System.Text.RegularExpressions.Regex.IsMatch(options.IngressClass, "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"))
        {
            failures.Add($"{ErieCanalOptions.Section}:IngressClass must be a DNS subdomain name such as erie-canal-orleans (was '{options.IngressClass}')");
        }

        if (!string.IsNullOrEmpty(options.ControlPlaneKubeconfig) && !File.Exists(options.ControlPlaneKubeconfig))
        {
            failures.Add($"{ErieCanalOptions.Section}:ControlPlaneKubeconfig names a file that does not exist: {options.ControlPlaneKubeconfig}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
