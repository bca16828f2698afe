// cluster-key-slot (a dependency of ioredis) ships no types: CRC16 of the key
// (or its {hash tag}) modulo 16384, exactly as Redis Cluster computes it.
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export default calculateSlot;
}
