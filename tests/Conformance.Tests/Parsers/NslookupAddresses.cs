using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Conformance.Tests.Parsers;

/// <summary>
/// The addresses of nslookup's answer section (headless_service_dns.go addressesRegEx and HaveAddresses): every
/// <c>Name: …</c> line followed by <c>Address: …</c>, sorted, so the server's own <c>Address: 10.96.0.10#53</c>
/// (which no Name: line precedes) is left out.
/// </summary>
public static partial class NslookupAddresses
{
    public static IReadOnlyList<string> Parse(string nslookupOutput) =>
        AddressesRegex().Matches(nslookupOutput).Select(m => m.Groups[1].Value.Trim()).Order(StringComparer.Ordinal).ToList();

    /// <summary>HaveAddresses: the answer's addresses are exactly <paramref name="expected"/> (order aside).</summary>
    public static bool Have(string nslookupOutput, IEnumerable<string> expected) =>
        Parse(nslookupOutput).SequenceEqual(expected.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    // addressesRegEx, unchanged: '.' stops at a line end, '\s*' crosses it, as in Go's RE2.
    [GeneratedRegex(@"Name:.*\s*Address:\s*(.*)", RegexOptions.CultureInvariant)]
    private static partial Regex AddressesRegex();
}
