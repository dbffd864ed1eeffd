using System.Globalization;
using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Conformance.Tests.Parsers;

/// <summary>One SRV answer as the suite compares it: port and target (clusterip_service_dns.go srvRecord).</summary>
public sealed partial record SrvRecord(int Port, string DomainName)
{
    /// <summary>
    /// parseSRVRecords: nslookup prints <c>hello.ns.svc.clusterset.local	service = 0 50 42 hello.ns.svc.clusterset.local.</c>;
    /// the last two tokens are the port and the target, whose trailing dot goes (some nslookup versions print it).
    /// </summary>
    public static IReadOnlyList<SrvRecord> Parse(string nslookupOutput) =>
        SrvRecordRegex().Matches(nslookupOutput)
            .Select(m => new SrvRecord(
                // Go's ParseInt of an empty capture is 0 with an error the suite ignores; so is ours.
                int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : 0,
                StripOneDot(m.Groups[2].Value)))
            .ToList();

    // strings.TrimSuffix(name, "."): one dot at most.
    private static string StripOneDot(string name) => name.EndsWith('.') ? name[..^1] : name;

    public override string ToString() => $"port:{Port}, domainName:\"{DomainName}\"";

    // srvRecordRegEx, unchanged; [0-9] for Go's ASCII \d.
    [GeneratedRegex(@".*=\s*[0-9]*\s*[0-9]*\s*([0-9]*)\s*([a-zA-Z0-9-.]*)", RegexOptions.CultureInvariant)]
    private static partial Regex SrvRecordRegex();
}
