namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>Something that turns ServiceExports in the members into ServiceImports in every member.</summary>
public interface IPropagationPipeline : IAsyncDisposable
{
    /// <summary>The row label in the report.</summary>
    string Name { get; }

    Task StartAsync(CancellationToken cancellationToken);
}
