using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary><c>kubectl apply</c> and <c>get</c> of Ingress and IngressClass, as kubectl prints them.</summary>
public sealed class KubectlIngressTests(KubectlSandboxFixture fixture) : IClassFixture<KubectlSandboxFixture>
{
    private const string Manifests = """
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata:
          name: erie-canal
        spec:
          controller: flomesh.io/erie-canal
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: httpbin
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: svcexp-ing-httpbin
          namespace: httpbin
        spec:
          ingressClassName: erie-canal
          rules:
          - http:
              paths:
              - path: /httpbin
                pathType: Prefix
                backend:
                  service:
                    name: httpbin
                    port:
                      number: 8080
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: classless
          namespace: httpbin
        spec:
          rules:
          - host: httpbin.example
            http:
              paths:
              - path: /
                pathType: Exact
                backend:
                  service:
                    name: httpbin
                    port:
                      number: 8080
        """;

    private readonly KubectlRunner _kubectl = fixture.Kubectl;

    [Fact]
    public async Task Apply_then_get_prints_ingress_and_ingressclass_columns()
    {
        Assert.Equal(
            ["ingressclass.networking.k8s.io/erie-canal created", "namespace/httpbin created", "ingress.networking.k8s.io/svcexp-ing-httpbin created", "ingress.networking.k8s.io/classless created"],
            (await _kubectl.RunWithInputAsync(Manifests, "apply", "-f", "-")).AssertSuccess().Lines);

        var ingresses = (await _kubectl.RunAsync("get", "ing", "-n", "httpbin")).AssertSuccess().Table;
        Assert.Equal(["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], ingresses.Headers);
        var exported = ingresses.Row("svcexp-ing-httpbin");
        Assert.Equal("erie-canal", exported["CLASS"]);
        Assert.Equal("*", exported["HOSTS"]);
        Assert.Equal("80", exported["PORTS"]);
        Assert.Equal("<none>", ingresses.Row("classless")["CLASS"]);
        Assert.Equal("httpbin.example", ingresses.Row("classless")["HOSTS"]);

        var classes = (await _kubectl.RunAsync("get", "ingressclass")).AssertSuccess().Table;
        Assert.Equal(["NAME", "CONTROLLER", "PARAMETERS", "AGE"], classes.Headers);
        Assert.Equal("flomesh.io/erie-canal", classes.Row("erie-canal")["CONTROLLER"]);
        Assert.Equal("<none>", classes.Row("erie-canal")["PARAMETERS"]);

        Assert.All((await _kubectl.RunWithInputAsync(Manifests, "apply", "-f", "-")).AssertSuccess().Lines, line => Assert.EndsWith(" unchanged", line));
    }
}
