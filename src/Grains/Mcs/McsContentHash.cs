using System.Security.Cryptography;
using System.Text.Json;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>A content hash of a decided object (hex, 128 bits of sha256 of its JSON): equal values, equal hashes.</summary>
public static class McsContentHash
{
    public static string Of<T>(T value) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(value)).AsSpan(0, 16));
}
