using ErieCanal.Orleans.Sandbox.Containers;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>A stand-in for the real seam: numbered tokens that say whom they were issued to, a CA, an API address and a nameserver of its own.</summary>
public sealed class RecordingClusterServices : IPodClusterServices
{
    private int _issued;

    public string IssueServiceAccountToken(string ns, string serviceAccount, string podName, string podUid, TimeSpan lifetime) =>
        $"token-{Interlocked.Increment(ref _issued)}-{ns}-{serviceAccount}-{podName}-{(int)lifetime.TotalSeconds}";

    public string? CaCertificatePem => "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n";

    public string ApiHost => "127.0.0.9";

    public int ApiPort => 6443;

    public string? DnsNameserver => "127.0.0.53";
}
