namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>A patch document is malformed or cannot be applied to the target.</summary>
public sealed class PatchException : Exception
{
    public PatchException(string message)
        : base(message)
    {
    }
}
