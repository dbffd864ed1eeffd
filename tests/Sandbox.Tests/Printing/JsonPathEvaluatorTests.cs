using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Printing;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Printing;

public sealed class JsonPathEvaluatorTests
{
    private static readonly JsonNode Doc = JsonNode.Parse("""
        {"metadata":{"name":"a","labels":{"app.kubernetes.io/name":"pipy"}},
         "spec":{"ports":[{"port":80,"name":"http"},{"port":443,"name":"https"}]},
         "status":{"conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True","count":3}]}}
        """)!;

    private static string Eval(string path) =>
        string.Join(";", JsonPathEvaluator.Evaluate(Doc, path).Select(n => n?.ToJsonString() ?? "null"));

    [Theory]
    [InlineData(".metadata.name", "\"a\"")]
    [InlineData("{.metadata.name}", "\"a\"")]
    [InlineData("$.metadata.name", "\"a\"")]
    [InlineData(".metadata.labels['app.kubernetes.io/name']", "\"pipy\"")]
    [InlineData(".metadata.labels[\"app.kubernetes.io/name\"]", "\"pipy\"")]
    [InlineData(".spec.ports[0].port", "80")]
    [InlineData(".spec.ports[-1].name", "\"https\"")]
    [InlineData(".spec.ports[*].port", "80;443")]
    [InlineData(".spec.ports[0:1].name", "\"http\"")]
    [InlineData(".spec.ports[5].port", "")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "\"True\"")]
    [InlineData(".status.conditions[?(@.type=='Ready')].status", "\"True\"")]
    [InlineData(".status.conditions[?(@.type!=\"Ready\")].type", "\"Synced\"")]
    [InlineData(".status.conditions[?(@.count>2)].type", "\"Ready\"")]
    [InlineData(".status.conditions[?(@.count)].type", "\"Ready\"")]
    [InlineData("..port", "80;443")]
    [InlineData(".metadata.missing.deeper", "")]
    [InlineData(".metadata.name.length", "")]
    public void Evaluates_printer_column_paths(string path, string expected) => Assert.Equal(expected, Eval(path));

    [Fact]
    public void Rejects_unterminated_subscripts() =>
        Assert.Throws<FormatException>(() => JsonPathEvaluator.Evaluate(Doc, ".spec.ports[0"));
}
