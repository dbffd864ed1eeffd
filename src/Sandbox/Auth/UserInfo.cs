namespace ErieCanal.Orleans.Sandbox.Auth;

/// <summary>Who made a request, as an authenticator hands it to the authorizer (k8s.io/apiserver user.Info).</summary>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups, string Uid = "", IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null)
{
    public const string Authenticated = "system:authenticated";
    public const string Unauthenticated = "system:unauthenticated";
    public const string Masters = "system:masters";
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>The admin of the sandbox: the token of the kubeconfigs the sandbox writes.</summary>
    public static UserInfo Admin { get; } = new("sandbox-admin", [Masters, Authenticated]);

    /// <summary>A request without credentials, as kube-apiserver with anonymous authentication on sees it.</summary>
    public static UserInfo Anonymous { get; } = new("system:anonymous", [Unauthenticated]);

    public static UserInfo ServiceAccount(string ns, string name, string uid, IReadOnlyDictionary<string, IReadOnlyList<string>>? extra) =>
        new($"{ServiceAccountPrefix}{ns}:{name}", ["system:serviceaccounts", $"system:serviceaccounts:{ns}", Authenticated], uid, extra);
}
