// Container discovery (Docker and Podman): see docs/containers.md for the label contract and the parts.
export { DockerSource, type DockerSourceOptions } from './source.js';
export { ContainerAttachment } from './attach.js';
export { engineCandidates, currentHostEnvironment, dockerOptionsFor, type HostEnvironment } from './hosts.js';
export {
  findEngine,
  probeEngine,
  engineLabel,
  type EngineInfo,
  type EngineHandle,
  type EngineKind,
} from './engine.js';
export {
  interpretContainer,
  hasDiscoveryLabels,
  LABELS,
  type ContainerInspect,
  type Interpretation,
} from './labels.js';
export { sanitizeBackendName, uniqueName } from './names.js';
