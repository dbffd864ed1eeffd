using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>YAML bodies in every style the server accepts: JSON (which is YAML), flow style, block style.</summary>
public sealed class YamlBodyTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Theory]
    [InlineData("json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"yaml-json\"},\"data\":{\"a\":\"b\"}}")]
    [InlineData("flow", "{apiVersion: v1, kind: ConfigMap, metadata: {name: yaml-flow}, data: {a: b}}")]
    [InlineData("block", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-block\ndata:\n  a: b\n")]
    public async Task Server_side_apply_takes_yaml_in_any_style(string style, string body)
    {
        using var http = fixture.Http();
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");

        var response = await http.PatchAsync($"/api/v1/namespaces/default/configmaps/yaml-{style}?fieldManager=test", content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("b", JsonNode.Parse(text)!["data"]!["a"]!.GetValue<string>());
    }
}
