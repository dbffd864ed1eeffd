namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>Server-side apply would change fields owned by other managers (HTTP 409).</summary>
public sealed class ApplyConflictException : Exception
{
    public ApplyConflictException(string message, IReadOnlyList<(string Manager, string Field)> conflicts)
        : base(message) => Conflicts = conflicts;

    public IReadOnlyList<(string Manager, string Field)> Conflicts { get; }
}
