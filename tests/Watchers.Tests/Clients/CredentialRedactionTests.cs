using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Clients;

public sealed class CredentialRedactionTests
{
    private const string Kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: https://10.0.0.1:6443
        users:
        - name: u
          user:
            token: "tok-4f1e9a0b77c2"
            client-key-data: S0VZLWJ5dGVzLWhlcmUtMTIz
            password: 'pa55word!x'
            auth-provider:
              config:
                refresh-token: ref-8e1d2c
                client-secret: cs-0a9b8c
        contexts:
        - name: c
          context: {cluster: c, user: u}
        current-context: c
        """;

    [Fact]
    public void Every_credential_field_is_found_quoted_or_not()
    {
        var secrets = CredentialRedaction.SecretsIn(Kubeconfig);
        // Longest first, so one secret containing another is masked whole.
        Assert.Equal(
            ["S0VZLWJ5dGVzLWhlcmUtMTIz", "tok-4f1e9a0b77c2", "pa55word!x", "ref-8e1d2c", "cs-0a9b8c"],
            secrets);
        Assert.DoesNotContain("https://10.0.0.1:6443", secrets);
    }

    [Fact]
    public void Json_and_flow_style_kubeconfigs_are_understood_too()
    {
        Assert.Equal(["json-token-123456"], CredentialRedaction.SecretsIn("""{"users":[{"name":"u","user":{"token":"json-token-123456"}}]}"""));
        Assert.Equal(["flow-token-654321"], CredentialRedaction.SecretsIn("users: [{name: u, user: {token: flow-token-654321}}]"));
    }

    [Fact]
    public void A_message_quoting_a_credential_is_masked_and_others_are_left_alone()
    {
        var masked = CredentialRedaction.Redact("could not use 'tok-4f1e9a0b77c2' against https://10.0.0.1:6443", Kubeconfig);
        Assert.Equal($"could not use '{CredentialRedaction.Mask}' against https://10.0.0.1:6443", masked);
        Assert.Equal("nothing secret", CredentialRedaction.Redact("nothing secret", (string?)null));
    }

    [Fact]
    public void A_broken_client_key_fails_as_an_invalid_kubeconfig_without_the_key_in_the_message()
    {
        const string Key = "Tk9UQS1LRVktYnV0LXNlY3JldC1ieXRlcw==";
        var kubeconfig = $"""
            apiVersion: v1
            clusters: [{"{"}name: c, cluster: {"{"}server: "https://127.0.0.1:1"{"}"}{"}"}]
            users: [{"{"}name: u, user: {"{"}client-certificate-data: {Key}, client-key-data: {Key}{"}"}{"}"}]
            contexts: [{"{"}name: c, context: {"{"}cluster: c, user: u{"}"}{"}"}]
            current-context: c
            """;
        var error = Assert.Throws<InvalidKubeconfigException>(() => KubeconfigLoader.Load(kubeconfig, TimeSpan.FromSeconds(1)));
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_printed_in_a_log_line_does_not_carry_its_inline_kubeconfig()
    {
        var spec = new ClusterSpec("c1", "uid", "default", "default", "default", "gw", 80, Kubeconfig, null, 1, "7");
        Assert.DoesNotContain("tok-4f1e9a0b77c2", spec.ToString(), StringComparison.Ordinal);
        Assert.Contains("default/default/default/c1", spec.ToString(), StringComparison.Ordinal);
    }
}
