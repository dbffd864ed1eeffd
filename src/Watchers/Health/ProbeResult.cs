namespace ErieCanal.Orleans.Watchers.Health;

/// <summary>What one probe saw: success, or a failure with its condition reason and what happened.</summary>
public sealed record ProbeResult(bool Ok, string Failure = "", string Detail = "")
{
    public static ProbeResult Success { get; } = new(true);
}
