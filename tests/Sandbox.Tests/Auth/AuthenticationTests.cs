using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Auth;

/// <summary>
/// Authentication on the HTTPS port: ServiceAccount tokens from kubectl create token (claims, --duration,
/// --audience) and from the pod runtime's call, 401 for tokens the cluster must not accept, anonymous without one.
/// </summary>
public sealed class AuthenticationTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    private static JsonObject Claims(string token) =>
        (JsonObject)JsonNode.Parse(Convert.FromBase64String(Pad(token.Split('.')[1].Replace('-', '+').Replace('_', '/'))))!;

    private static string Pad(string s) => s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');

    [Fact]
    public async Task Kubectl_create_token_issues_a_signed_token_with_the_service_account_claims()
    {
        await fixture.ServiceAccountTokenAsync("tokens", "bot");
        var token = (await fixture.Admin.RunAsync("create", "token", "bot", "-n", "tokens", "--duration=15m")).AssertSuccess().Stdout.Trim();
        var claims = Claims(token);
        Assert.Equal("https://kubernetes.default.svc.cluster.local", claims["iss"]!.GetValue<string>());
        Assert.Equal("system:serviceaccount:tokens:bot", claims["sub"]!.GetValue<string>());
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], claims["aud"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(900, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        Assert.Equal(claims["iat"]!.GetValue<long>(), claims["nbf"]!.GetValue<long>());
        Assert.Equal("tokens", claims["kubernetes.io"]!["namespace"]!.GetValue<string>());
        Assert.Equal("bot", claims["kubernetes.io"]!["serviceaccount"]!["name"]!.GetValue<string>());

        var kubectl = await fixture.KubectlAsync(token, "tokens");
        var whoami = (await kubectl.RunAsync("auth", "whoami", "-o", "json")).AssertSuccess();
        var user = JsonNode.Parse(whoami.Stdout)!["status"]!["userInfo"]!;
        Assert.Equal("system:serviceaccount:tokens:bot", user["username"]!.GetValue<string>());
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:tokens", "system:authenticated"], user["groups"]!.AsArray().Select(g => g!.GetValue<string>()));

        var tooShort = await fixture.Admin.RunAsync("create", "token", "bot", "-n", "tokens", "--duration=5m");
        tooShort.AssertFailure();
        Assert.Contains("spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes", tooShort.Stderr);
        var missing = await fixture.Admin.RunAsync("create", "token", "nobody", "-n", "tokens");
        missing.AssertFailure();
        Assert.Contains("serviceaccounts \"nobody\" not found", missing.Stderr);
    }

    [Fact]
    public async Task A_token_for_another_audience_an_expired_one_a_forged_one_and_one_of_a_deleted_account_get_401()
    {
        await fixture.ServiceAccountTokenAsync("rejected", "bot");
        var otherAudience = (await fixture.Admin.RunAsync("create", "token", "bot", "-n", "rejected", "--audience=vault")).AssertSuccess().Stdout.Trim();
        Assert.Equal(["vault"], Claims(otherAudience)["aud"]!.AsArray().Select(a => a!.GetValue<string>()));
        var expired = fixture.Cluster.Auth.Tokens.Issue("rejected", "bot", ["https://kubernetes.default.svc.cluster.local"], TimeSpan.FromSeconds(-1));
        var valid = (await fixture.Admin.RunAsync("create", "token", "bot", "-n", "rejected")).AssertSuccess().Stdout.Trim();
        var parts = valid.Split('.');
        var forged = $"{parts[0]}.{Convert.ToBase64String(Encoding.UTF8.GetBytes(Claims(valid).ToJsonString().Replace("bot", "bob", StringComparison.Ordinal))).TrimEnd('=')}.{parts[2]}";

        foreach (var token in new[] { otherAudience, expired, forged, "not-a-token" })
        {
            using var http = fixture.SecureHttp(token);
            using var response = await http.GetAsync("/api/v1/namespaces/rejected/pods");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("Unauthorized", status["message"]!.GetValue<string>());
            Assert.Equal("Unauthorized", status["reason"]!.GetValue<string>());
            Assert.Equal(401, status["code"]!.GetValue<int>());
            Assert.False(status.AsObject().ContainsKey("details"), "a 401 Status has no details");
        }

        var kubectl = await fixture.KubectlAsync(forged);
        var refused = await kubectl.RunAsync("get", "pods");
        refused.AssertFailure();
        Assert.Contains("error: You must be logged in to the server", refused.Stderr);

        (await fixture.Admin.RunAsync("delete", "serviceaccount", "bot", "-n", "rejected")).AssertSuccess();
        using var afterDelete = fixture.SecureHttp(valid);
        Assert.Equal(HttpStatusCode.Unauthorized, (await afterDelete.GetAsync("/api")).StatusCode);
    }

    [Fact]
    public async Task Without_a_token_the_request_is_system_anonymous()
    {
        using var http = fixture.SecureHttp(null);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/version")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        using var response = await http.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope", status["message"]!.GetValue<string>());
        using var discovery = await http.GetAsync("/apis");
        Assert.Equal("forbidden: User \"system:anonymous\" cannot get path \"/apis\"", JsonNode.Parse(await discovery.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pod_token_from_the_runtime_names_its_pod_and_dies_with_it()
    {
        await fixture.ServiceAccountTokenAsync("pod-tokens", "runner");
        (await fixture.Admin.RunAsync("run", "worker", "--image=busybox", "-n", "pod-tokens", "--overrides", """{"spec":{"serviceAccountName":"runner"}}""")).AssertSuccess();
        var uid = (await fixture.Admin.RunAsync("get", "pod", "worker", "-n", "pod-tokens", "-o", "jsonpath={.metadata.uid}")).AssertSuccess().Stdout;
        var token = fixture.Cluster.IssueServiceAccountToken("pod-tokens", "runner", "worker", uid, TimeSpan.FromHours(1));
        Assert.Equal("worker", Claims(token)["kubernetes.io"]!["pod"]!["name"]!.GetValue<string>());
        Assert.Equal(uid, Claims(token)["kubernetes.io"]!["pod"]!["uid"]!.GetValue<string>());

        var kubectl = await fixture.KubectlAsync(token, "pod-tokens");
        var user = JsonNode.Parse((await kubectl.RunAsync("auth", "whoami", "-o", "json")).AssertSuccess().Stdout)!["status"]!["userInfo"]!;
        Assert.Equal("worker", user["extra"]!["authentication.kubernetes.io/pod-name"]![0]!.GetValue<string>());

        (await fixture.Admin.RunAsync("delete", "pod", "worker", "-n", "pod-tokens")).AssertSuccess();
        (await kubectl.RunAsync("auth", "whoami")).AssertFailure();
    }

    [Fact]
    public async Task A_token_review_says_who_a_token_is()
    {
        var token = await fixture.ServiceAccountTokenAsync("reviews", "bot");
        using var client = fixture.SecureClient(fixture.Cluster.Token);
        var review = await client.AuthenticationV1.CreateTokenReviewAsync(new k8s.Models.V1TokenReview { Spec = new k8s.Models.V1TokenReviewSpec { Token = token } });
        Assert.True(review.Status.Authenticated);
        Assert.Equal("system:serviceaccount:reviews:bot", review.Status.User.Username);
        var bad = await client.AuthenticationV1.CreateTokenReviewAsync(new k8s.Models.V1TokenReview { Spec = new k8s.Models.V1TokenReviewSpec { Token = "nope" } });
        Assert.NotEqual(true, bad.Status.Authenticated);
    }
}
