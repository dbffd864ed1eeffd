using System.Text.Json;

namespace ErieCanal.Orleans.Grains;

/// <summary>
/// Structural equality for messages: records holding ImmutableArray compare arrays by reference, so two equal
/// observations would look different and trigger needless writes.
/// </summary>
public static class Structural
{
    public static bool Same<T>(T? a, T? b) where T : class =>
        ReferenceEquals(a, b) || (a is not null && b is not null && JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b));
}
