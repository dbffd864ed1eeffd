using ErieCanal.Orleans.Silo.Hosting;

// The production silo: a control plane must be configured (ErieCanal__ControlPlaneKubeconfig) or found in the pod.
return await SiloApp.RunAsync(args);
