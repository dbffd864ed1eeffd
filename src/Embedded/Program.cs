using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.Silo.Hosting;

// The embedded default: an in-process sandbox (control plane and members, each with its data plane), then the same
// silo host production runs, pointed at the sandbox.
return await SiloApp.RunAsync(args, EmbeddedDefault.StartAsync);
