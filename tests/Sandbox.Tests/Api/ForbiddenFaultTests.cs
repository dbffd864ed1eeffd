using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>The forbid/allow fault through the control API: a 403 Status as kube-apiserver's RBAC gives it, per verb.</summary>
public sealed class ForbiddenFaultTests : IAsyncLifetime
{
    private readonly SandboxFixture _fixture = new();
    private HttpClient _control = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _control = new HttpClient { BaseAddress = _fixture.Host.ControlUri, Timeout = TimeSpan.FromSeconds(30) };
        _api = _fixture.Http();
    }

    public async Task DisposeAsync()
    {
        _control.Dispose();
        _api.Dispose();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task Forbid_answers_403_for_that_verb_only_until_allowed()
    {
        const string Rule = """{"verb":"watch","group":"","resource":"services"}""";
        var armed = JsonNode.Parse(await (await _control.PostAsync("clusters/test/forbid", new StringContent(Rule))).Content.ReadAsStringAsync())!;
        Assert.Equal("""[{"verb":"watch","group":"","resource":"services"}]""", armed["faults"]!["forbidden"]!.ToJsonString());

        var watch = await _api.GetAsync("api/v1/namespaces/default/services?watch=true&timeoutSeconds=1");
        Assert.Equal(HttpStatusCode.Forbidden, watch.StatusCode);
        var status = JsonNode.Parse(await watch.Content.ReadAsStringAsync())!;
        Assert.Equal(("Status", "Failure", "Forbidden", 403), (status["kind"]!.GetValue<string>(), status["status"]!.GetValue<string>(), status["reason"]!.GetValue<string>(), status["code"]!.GetValue<int>()));
        Assert.Equal("services is forbidden: User \"system:serviceaccount:sandbox:reconciler\" cannot watch resource \"services\" in API group \"\" in the namespace \"default\"", status["message"]!.GetValue<string>());

        // A list of the same resource is another verb, and served.
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("api/v1/namespaces/default/services")).StatusCode);

        await _control.PostAsync("clusters/test/allow", new StringContent(Rule));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("api/v1/namespaces/default/services?watch=true&timeoutSeconds=1")).StatusCode);
    }
}
