namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>A program a simulated container image carries. It runs no real process and never touches the host.</summary>
public interface IContainerProgram
{
    /// <summary>Runs to completion and returns the exit code (0-255).</summary>
    Task<int> RunAsync(ContainerProcess process, CancellationToken cancellationToken);
}
