using Xunit;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>Tests sharing one sandbox and one two-silo cluster; each uses its own namespaces.</summary>
[CollectionDefinition(Name)]
public sealed class ReconcilerCollection : ICollectionFixture<ReconcilerFixture>
{
    public const string Name = "reconciler";
}
