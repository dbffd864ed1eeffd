namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>One upstream spec: the plan's id (C01…, D01…, K01), the Specify text as upstream words it, and its Ginkgo labels.</summary>
public sealed record ConformanceCase(string Id, string Spec, string File, params string[] Labels)
{
    public string LabelText => string.Join(", ", Labels);
}
