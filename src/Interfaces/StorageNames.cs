namespace ErieCanal.Orleans.Interfaces;

/// <summary>The grain storage provider every persistent grain uses (memory by default, Redis in production).</summary>
public static class StorageNames
{
    public const string Grains = "erie-canal";
}
