using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Silo.Security;

/// <summary>
/// Compares a request's credentials with the configured token in constant time (both sides hashed first, so neither
/// the content nor the length leaks through timing). A token file is read again when its write time changes.
/// </summary>
public sealed class BearerTokenCheck(IOptions<HttpAccessOptions> options, TimeProvider time)
{
    private static readonly TimeSpan FileCheckInterval = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private byte[]? _expected;
    private DateTime _fileWrittenAt;
    private DateTimeOffset _fileCheckedAt = DateTimeOffset.MinValue;

    public bool Enabled => options.Value.RequiresToken;

    /// <summary>True when <paramref name="presented"/> is the configured token.</summary>
    public bool Matches(string presented)
    {
        var expected = Expected();
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return expected.Length > 0 && CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private byte[] Expected()
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.BearerTokenFile))
        {
            return _expected ??= Hash(settings.BearerToken);
        }

        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_expected is null || now - _fileCheckedAt >= FileCheckInterval)
            {
                _fileCheckedAt = now;
                var writtenAt = File.GetLastWriteTimeUtc(settings.BearerTokenFile);
                if (_expected is null || writtenAt != _fileWrittenAt)
                {
                    _fileWrittenAt = writtenAt;
                    _expected = Hash(File.Exists(settings.BearerTokenFile) ? File.ReadAllText(settings.BearerTokenFile) : null);
                }
            }

            return _expected;
        }
    }

    // An empty token matches nothing (a missing file must not open the door).
    private static byte[] Hash(string? token) => string.IsNullOrWhiteSpace(token) ? [] : SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim()));
}
