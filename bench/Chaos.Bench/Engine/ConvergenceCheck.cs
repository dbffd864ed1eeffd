namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// The members' ServiceImports against the oracle: what is missing, what should not exist, what differs; with the
/// members' objects the check was made from (kept so a test can show the check is not blind).
/// </summary>
public sealed record ConvergenceCheck(
    int Expected, IReadOnlyList<string> Lost, IReadOnlyList<string> Extra, IReadOnlyList<string> SpecMismatches, IReadOnlyList<string> RoutingMismatches,
    IReadOnlyList<MemberObjects> Objects)
{
    public IEnumerable<string> Findings => Lost.Concat(Extra).Concat(SpecMismatches).Concat(RoutingMismatches);

    public bool Converged => Lost.Count == 0 && Extra.Count == 0 && SpecMismatches.Count == 0 && RoutingMismatches.Count == 0;

    public static ConvergenceCheck Of(IReadOnlyList<MemberObjects> members)
    {
        var expected = Oracle.Expect(members);
        var mcsExpected = McsOracle.Expect(members);
        List<string> lost = [], extra = [], spec = [], routing = [];
        foreach (var member in members)
        {
            var want = expected[member.Member];
            foreach (var (key, import) in want)
            {
                if (!member.Imports.TryGetValue(key, out var held))
                {
                    lost.Add($"{member.Member}: {key.Namespace}/{key.Name} missing (expected {import.Spec})");
                    continue;
                }

                var actual = ImportText.Of(held);
                if (actual.Spec != import.Spec)
                {
                    spec.Add($"{member.Member}: {key.Namespace}/{key.Name} spec is `{actual.Spec}`, expected `{import.Spec}`");
                }

                if (actual.Routing != import.Routing)
                {
                    routing.Add($"{member.Member}: {key.Namespace}/{key.Name} routing is `{actual.Routing}`, expected `{import.Routing}`");
                }
            }

            foreach (var key in member.Imports.Keys.Where(k => !want.ContainsKey(k)))
            {
                extra.Add($"{member.Member}: {key.Namespace}/{key.Name} should not exist");
            }

            // The standard API's imports (multicluster.x-k8s.io), checked the same way.
            var mcsWant = mcsExpected[member.Member];
            foreach (var (name, text) in mcsWant)
            {
                if (!member.McsImports.TryGetValue(name, out var held))
                {
                    lost.Add($"{member.Member}: MCS {ChaosSettings.Namespace}/{name} missing (expected {text})");
                }
                else if (McsOracle.Of(held) is var actual && actual != text)
                {
                    spec.Add($"{member.Member}: MCS {ChaosSettings.Namespace}/{name} is `{actual}`, expected `{text}`");
                }
            }

            foreach (var name in member.McsImports.Keys.Where(k => !mcsWant.ContainsKey(k)))
            {
                extra.Add($"{member.Member}: MCS {ChaosSettings.Namespace}/{name} should not exist");
            }
        }

        return new ConvergenceCheck(expected.Values.Sum(v => v.Count) + mcsExpected.Values.Sum(v => v.Count), lost, extra, spec, routing, members);
    }
}
