using System.Net;
using System.Net.Sockets;

namespace ErieCanal.Orleans.Conformance.Tests.Parsers;

/// <summary>The suite's family helpers: ipFamilyOf, addressTypeOf, dnsRecordTypeOf.</summary>
public static class IpFamilies
{
    public const string IPv4 = "IPv4";

    public const string IPv6 = "IPv6";

    /// <summary>ipFamilyOf: "IPv4" or "IPv6"; anything else is not an IP, which the suite fails on.</summary>
    public static string Of(string ip) =>
        IPAddress.TryParse(ip, out var address) && IsPlain(ip)
            ? address.AddressFamily == AddressFamily.InterNetwork ? IPv4 : IPv6
            : throw new FormatException($"'{ip}' is not an IP address");

    /// <summary>addressTypeOf: the EndpointSlice addressType of a family.</summary>
    public static string AddressTypeOf(string family) => family == IPv4 ? "IPv4" : "IPv6";

    /// <summary>dnsRecordTypeOf: A for IPv4, AAAA otherwise.</summary>
    public static string DnsRecordTypeOf(string family) => family == IPv4 ? "A" : "AAAA";

    // k8s.io/utils/net parses only canonical forms: IPAddress.TryParse also takes "1" or "1.2" (inet_aton's forms).
    private static bool IsPlain(string ip) => ip.Contains(':', StringComparison.Ordinal) || ip.Count(c => c == '.') == 3;
}
