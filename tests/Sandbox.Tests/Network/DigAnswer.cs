using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Sandbox.Tests.Network;

/// <summary>What dig printed (<c>+noall +comments +answer</c>): the response status, A addresses and CNAME targets.</summary>
internal sealed partial record DigAnswer(string Status, IReadOnlyList<string> Addresses, IReadOnlyList<string> Aliases)
{
    public static DigAnswer Parse(string output)
    {
        var status = StatusPattern().Match(output) is { Success: true } m ? m.Groups[1].Value : "no answer: " + output;
        var records = output.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith(';'))
            .Select(l => l.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 5)
            .ToList();
        return new DigAnswer(
            status,
            [.. records.Where(f => f[3] == "A").Select(f => f[4])],
            [.. records.Where(f => f[3] == "CNAME").Select(f => f[4])]);
    }

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex StatusPattern();
}
