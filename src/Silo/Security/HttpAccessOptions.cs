namespace ErieCanal.Orleans.Silo.Security;

/// <summary>
/// Who may use the silo's HTTP listeners (section <c>Http</c>, next to <c>Http:Urls</c>): with a bearer token set,
/// every request to the API, <c>/metrics</c> and the Orleans Dashboard needs <c>Authorization: Bearer &lt;token&gt;</c>;
/// <c>/healthz</c> and <c>/readyz</c> stay open for the kubelet's probes. Without one, anyone who reaches a listener
/// may use it, which is why the listeners default to loopback and a silo listening elsewhere warns at start-up.
/// </summary>
public sealed class HttpAccessOptions
{
    public const string Section = "Http";

    /// <summary>The token itself. Prefer <see cref="BearerTokenFile"/>: a setting shows in the pod spec.</summary>
    public string? BearerToken { get; set; }

    /// <summary>A file holding the token (a mounted Secret's key); read again when it changes, so a rotated Secret applies.</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>Paths served without a token: the probes.</summary>
    public static readonly IReadOnlyList<string> OpenPaths = ["/healthz", "/readyz"];

    /// <summary>True when a token (or token file) is configured.</summary>
    public bool RequiresToken => !string.IsNullOrEmpty(BearerToken) || !string.IsNullOrEmpty(BearerTokenFile);
}
