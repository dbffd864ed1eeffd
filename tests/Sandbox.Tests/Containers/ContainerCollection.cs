using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>The container tests share one sandbox (one image unpack) and run one class at a time: containers are heavy on a shared machine.</summary>
[CollectionDefinition(Name)]
public sealed class ContainerCollection : ICollectionFixture<ContainerSandboxFixture>
{
    public const string Name = "containers";
}
