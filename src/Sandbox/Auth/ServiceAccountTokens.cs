using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>
/// Issues and verifies a cluster's ServiceAccount tokens: ES256 JWTs signed with the cluster's own key, carrying the
/// claims kube-apiserver's TokenRequest puts in (iss, sub, aud, exp, iat, nbf, jti and kubernetes.io with the
/// namespace, service account and bound pod).
/// </summary>
public sealed class ServiceAccountTokens(ObjectStore store) : IDisposable
{
    /// <summary>The issuer and default audience, as kube-apiserver's --service-account-issuer / --api-audiences.</summary>
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    // ES256, which kube-apiserver accepts for service account keys too; an RSA key takes far longer to generate.
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _keyId = Convert.ToHexStringLower(SHA256.HashData(Guid.NewGuid().ToByteArray()))[..16];

    /// <summary>A token for a pod's ServiceAccount, for the kubelet's projected token (the pod runtime calls this).</summary>
    public string IssueServiceAccountToken(string ns, string serviceAccount, string podName, string podUid, TimeSpan lifetime) =>
        Issue(ns, serviceAccount, [Issuer], lifetime, podName, podUid);

    /// <summary>A token as TokenRequest issues it; the ServiceAccount must exist.</summary>
    public string Issue(string ns, string serviceAccount, IReadOnlyList<string> audiences, TimeSpan lifetime, string? podName = null, string? podUid = null)
    {
        var account = store.Get("serviceaccounts", ns, serviceAccount);
        var now = store.Now.ToUnixTimeSeconds();
        var identity = new JsonObject
        {
            ["namespace"] = ns,
            ["serviceaccount"] = new JsonObject { ["name"] = serviceAccount, ["uid"] = account?["metadata"]?["uid"]?.DeepClone() ?? "" },
        };
        if (podName is not null)
        {
            identity["pod"] = new JsonObject { ["name"] = podName, ["uid"] = podUid ?? "" };
        }

        var claims = new JsonObject
        {
            ["aud"] = new JsonArray(audiences.Select(a => (JsonNode?)a).ToArray()),
            ["exp"] = now + (long)lifetime.TotalSeconds,
            ["iat"] = now,
            ["iss"] = Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = identity,
            ["nbf"] = now,
            ["sub"] = $"{UserInfo.ServiceAccountPrefix}{ns}:{serviceAccount}",
        };
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = _keyId };
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>
    /// The user a token names when it is one of ours, unexpired, meant for <paramref name="audience"/> and its
    /// ServiceAccount (and bound pod) still exist; null otherwise.
    /// </summary>
    public UserInfo? Verify(string token, string audience = Issuer)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        JsonObject claims;
        try
        {
            var signature = FromBase64Url(parts[2]);
            if (!_key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, HashAlgorithmName.SHA256))
            {
                return null;
            }

            claims = JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject ?? [];
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }

        var now = store.Now.ToUnixTimeSeconds();
        var audiences = claims["aud"] as JsonArray ?? [];
        if (claims["iss"]?.GetValue<string>() != Issuer || JsonTree.GetInt64(claims, "exp") is not { } exp || exp <= now
            || JsonTree.GetInt64(claims, "nbf") is > 0 and var nbf && nbf > now + 60 || !audiences.Any(a => a?.GetValue<string>() == audience))
        {
            return null;
        }

        var ns = claims["kubernetes.io"]?["namespace"]?.GetValue<string>() ?? "";
        var name = claims["kubernetes.io"]?["serviceaccount"]?["name"]?.GetValue<string>() ?? "";
        var uid = claims["kubernetes.io"]?["serviceaccount"]?["uid"]?.GetValue<string>() ?? "";
        var account = store.Get("serviceaccounts", ns, name);
        if (account is null || (uid.Length > 0 && account["metadata"]?["uid"]?.GetValue<string>() != uid))
        {
            return null;
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["authentication.kubernetes.io/credential-id"] = [$"JTI={claims["jti"]}"],
        };
        if (claims["kubernetes.io"]?["pod"] is JsonObject pod)
        {
            var podName = pod["name"]?.GetValue<string>() ?? "";
            var podUid = pod["uid"]?.GetValue<string>() ?? "";
            if (store.Get("pods", ns, podName) is not { } boundPod || (podUid.Length > 0 && boundPod["metadata"]?["uid"]?.GetValue<string>() != podUid))
            {
                return null;
            }

            extra["authentication.kubernetes.io/pod-name"] = [podName];
            extra["authentication.kubernetes.io/pod-uid"] = [podUid];
        }

        return UserInfo.ServiceAccount(ns, name, uid, extra);
    }

    public void Dispose() => _key.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
