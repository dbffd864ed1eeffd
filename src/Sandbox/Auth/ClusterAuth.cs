using System.Net;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>
/// A cluster's authentication and authorization on its secure (HTTPS) port: bearer tokens (the admin token, or a
/// ServiceAccount token the cluster signed) or anonymous, then RBAC, with system:masters allowed everything as
/// kube-apiserver's privileged-groups authorizer does. The plain-HTTP port is kube-apiserver's old insecure port and
/// passes neither (see <see cref="Hosting.SandboxCluster.Port"/>).
/// </summary>
public sealed class ClusterAuth : IDisposable
{
    private readonly string _adminToken;

    public ClusterAuth(string clusterName, ObjectStore store, string adminToken)
    {
        _adminToken = adminToken;
        Certificates = new ClusterCertificates(clusterName, [IPAddress.Loopback]);
        Tokens = new ServiceAccountTokens(store);
        Authorizer = new RbacAuthorizer(store);
    }

    public ClusterCertificates Certificates { get; }

    public ServiceAccountTokens Tokens { get; }

    public RbacAuthorizer Authorizer { get; }

    /// <summary>A token for a pod's ServiceAccount (audience: the API server), as the kubelet mounts into the pod.</summary>
    public string IssueServiceAccountToken(string ns, string serviceAccount, string podName, string podUid, TimeSpan lifetime) =>
        Tokens.IssueServiceAccountToken(ns, serviceAccount, podName, podUid, lifetime);

    /// <summary>The user of a request's credentials; a token nobody issued (or expired) is 401 as kube-apiserver words it.</summary>
    public UserInfo Authenticate(string authorizationHeader)
    {
        if (authorizationHeader.Length == 0)
        {
            return UserInfo.Anonymous;
        }

        const string scheme = "Bearer ";
        var token = authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? authorizationHeader[scheme.Length..].Trim() : "";
        if (token.Length > 0 && token == _adminToken)
        {
            return UserInfo.Admin;
        }

        return (token.Length > 0 ? Tokens.Verify(token) : null) ?? throw new ApiException(401, "Unauthorized", "Unauthorized");
    }

    /// <summary>Whether the user may; system:masters always may.</summary>
    public (bool Allowed, string Reason) Decide(UserInfo user, RequestAttributes request) =>
        user.Groups.Contains(UserInfo.Masters) ? (true, "") : Authorizer.Authorize(user, request);

    /// <summary>Throws the 403 kube-apiserver answers when the user may not.</summary>
    public void Authorize(UserInfo user, RequestAttributes request)
    {
        if (!Decide(user, request).Allowed)
        {
            throw ForbiddenStatus.For(user, request);
        }
    }

    public void Dispose()
    {
        Certificates.Dispose();
        Tokens.Dispose();
    }
}
