using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>Every case shares one embedded system and the built images (the suite runs its specs against one set of clusters too).</summary>
[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceSystem>
{
    public const string Name = "conformance";
}
