using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// Keeps a kubeconfig's credentials out of log lines, Events and condition messages: finds the values of its
/// credential fields (tokens, client keys, passwords, auth-provider secrets) in the text itself, so it works on a
/// kubeconfig that does not parse too, and masks them wherever they appear in a message.
/// </summary>
public static partial class CredentialRedaction
{
    public const string Mask = "[redacted]";

    /// <summary>Shorter values are not masked: they would mask ordinary words, and no real credential is this short.</summary>
    private const int MinimumSecretLength = 6;

    /// <summary>The credential values in <paramref name="kubeconfig"/> (YAML block or flow style, or JSON).</summary>
    public static IReadOnlyList<string> SecretsIn(string? kubeconfig)
    {
        if (string.IsNullOrEmpty(kubeconfig))
        {
            return [];
        }

        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in CredentialField().Matches(kubeconfig))
        {
            var value = match.Groups["value"].Value.Trim().Trim('"', '\'');
            if (value.Length >= MinimumSecretLength)
            {
                secrets.Add(value);
            }
        }

        // Longest first, so a secret that contains another is masked whole.
        return [.. secrets.OrderByDescending(s => s.Length)];
    }

    /// <summary><paramref name="message"/> with every credential of <paramref name="kubeconfig"/> masked.</summary>
    public static string Redact(string message, string? kubeconfig) => Redact(message, SecretsIn(kubeconfig));

    /// <summary><paramref name="message"/> with each of <paramref name="secrets"/> masked.</summary>
    public static string Redact(string message, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            message = message.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return message;
    }

    // A credential key (quoted or not), a colon, and the value up to the end of the line or, in flow style and JSON,
    // up to the closing quote, comma or brace.
    [GeneratedRegex("""(?<![\w-])["']?(?:token|client-key-data|client-key|password|id-token|refresh-token|access-token|client-secret|apiKey|api-key)["']?\s*:[ \t]*(?<value>"[^"\r\n]*"|'[^'\r\n]*'|[^\s,}\]]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialField();
}
