namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>
/// How a list is merged: by <see cref="MergeKey"/> for lists of objects, or as a set of
/// primitive values when <see cref="MergeKey"/> is null. Lists without a rule are atomic.
/// </summary>
public sealed record ListRule(string? MergeKey)
{
    public static ListRule Set { get; } = new((string?)null);

    public bool IsSet => MergeKey is null;
}
