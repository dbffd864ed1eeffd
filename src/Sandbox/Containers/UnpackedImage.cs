namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>An image ready to run: its root filesystem on disk (never written to: containers get an overlay) and its config.</summary>
/// <param name="Reference">The normalized name:tag pods ask for.</param>
/// <param name="RootFs">The unpacked layers.</param>
/// <param name="Config">Entrypoint, Cmd, Env, User, WorkingDir.</param>
/// <param name="ImageId">What the kubelet reports as <c>imageID</c> (<c>name@sha256:manifest</c>).</param>
public sealed record UnpackedImage(string Reference, string RootFs, ImageConfig Config, string ImageId);
