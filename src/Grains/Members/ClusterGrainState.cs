using System.Security.Cryptography;
using System.Text;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;

namespace ErieCanal.Orleans.Grains.Members;

[GenerateSerializer]
public sealed class ClusterGrainState
{
    /// <summary>
    /// The member's Cluster spec without its inline kubeconfig (<see cref="Keep"/>): credentials stay on the control
    /// plane and in each silo's <see cref="MemberCredentials"/>, not in the grain store. State written by an older
    /// version may still hold it; the grain strips it on activation.
    /// </summary>
    [Id(0)]
    public ClusterSpec? Spec { get; set; }

    /// <summary>Service keys this member has exported, so exports deleted while nobody watched are withdrawn.</summary>
    [Id(1)]
    public HashSet<string> KnownExports { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The resourceVersion the Cluster object was deleted at; older upserts are ignored.</summary>
    [Id(2)]
    public string? Tombstone { get; set; }

    /// <summary>Grows with every health decision, so writers drop stale or repeated ones across activations.</summary>
    [Id(3)]
    public long HealthSequence { get; set; }

    /// <summary>The Cluster uid whose inline kubeconfig was warned about in an Event, so the warning is given once.</summary>
    [Id(4)]
    public string? InlineKubeconfigWarned { get; set; }

    /// <summary>
    /// The reason of the last health verdict published (sequence <see cref="HealthSequence"/>) if it was Unhealthy,
    /// else null, so a new activation resumes from it.
    /// </summary>
    [Id(5)]
    public string? UnhealthyReason { get; set; }

    /// <summary>
    /// SHA-256 (hex) of the inline kubeconfig <see cref="Spec"/> was stored without, null when it had none: tells a
    /// change of kubeconfig, and which cached kubeconfig is the one to put back.
    /// </summary>
    [Id(6)]
    public string? InlineKubeconfigDigest { get; set; }

    /// <summary>Stores <paramref name="spec"/> without its inline kubeconfig, keeping only the kubeconfig's digest.</summary>
    public void Keep(ClusterSpec spec)
    {
        Spec = spec with { Kubeconfig = null };
        InlineKubeconfigDigest = Digest(spec.Kubeconfig);
    }

    /// <summary>The member left: no spec, no digest, no exports (its teardown took them).</summary>
    public void Forget()
    {
        Spec = null;
        InlineKubeconfigDigest = null;
        KnownExports.Clear();
    }

    /// <summary>
    /// The full spec: the stored one, with its inline kubeconfig put back from <paramref name="cachedKubeconfig"/>
    /// (the silo's <see cref="MemberCredentials"/>) when that is the kubeconfig stored as a digest. Null when there is
    /// no spec, or its kubeconfig is not (yet) the cached one: the next Upsert brings it.
    /// </summary>
    public ClusterSpec? Restore(string? cachedKubeconfig)
    {
        if (Spec is not { } stored || InlineKubeconfigDigest is not { } digest)
        {
            // No spec, or no inline kubeconfig to put back (a Secret reference, or state that still holds it).
            return Spec;
        }

        return cachedKubeconfig is not null && Digest(cachedKubeconfig) == digest ? stored with { Kubeconfig = cachedKubeconfig } : null;
    }

    /// <summary>
    /// The full spec on activation. State written by an older version still holds the inline kubeconfig: it is
    /// stripped here (<c>Stripped</c>: write the state at once); otherwise <see cref="Restore"/>.
    /// </summary>
    public (ClusterSpec? Spec, bool Stripped) Activate(string? cachedKubeconfig)
    {
        if (Spec is { Kubeconfig: not null } written)
        {
            Keep(written);
            return (written, true);
        }

        return (Restore(cachedKubeconfig), false);
    }

    /// <summary>
    /// Null for no kubeconfig (blank counts as none, as everywhere a kubeconfig is read); never reversible to the
    /// text, whose credentials carry far too much entropy to guess.
    /// </summary>
    public static string? Digest(string? kubeconfig) =>
        string.IsNullOrWhiteSpace(kubeconfig) ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kubeconfig)));
}
