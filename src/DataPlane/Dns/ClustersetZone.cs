using ARSoft.Tools.Net;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>The fixed names of the clusterset.local zone (mcs-api DNS specification v1.0.0).</summary>
public static class ClustersetZone
{
    /// <summary>The schema version this server implements, served as TXT at <see cref="DnsVersionName"/> (spec §2.2).</summary>
    public const string SchemaVersion = "1.0.0";

    public const string Apex = McsNames.ClusterSetDomain;

    public const string DnsVersionName = $"dns-version.{Apex}";

    public const string ServicesName = $"svc.{Apex}";

    public static readonly DomainName ApexName = DomainName.Parse(Apex);

    /// <summary>SOA names as CoreDNS's kubernetes plugin writes them for its zones.</summary>
    public static readonly DomainName PrimaryServer = DomainName.Parse($"ns.dns.{Apex}");

    public static readonly DomainName Hostmaster = DomainName.Parse($"hostmaster.{Apex}");

    /// <summary><c>&lt;svc&gt;.&lt;ns&gt;.svc.clusterset.local</c> (lower case, no trailing dot).</summary>
    public static string ServiceName(string ns, string name) => $"{name}.{ns}.{ServicesName}".ToLowerInvariant();

    /// <summary>The key a question's name is looked up by: its labels, lower case, no trailing dot.</summary>
    public static string Key(DomainName name) => string.Join('.', name.Labels).ToLowerInvariant();

    /// <summary>
    /// A headless endpoint's DNS label when its slice gives no hostname: its address with '.' and ':' made '-'
    /// (10.244.0.10 → 10-244-0-10, fd00::1 → fd00--1), as CoreDNS names endpoints without one.
    /// </summary>
    public static string DashedAddress(string address) => address.Replace('.', '-').Replace(':', '-').ToLowerInvariant();
}
