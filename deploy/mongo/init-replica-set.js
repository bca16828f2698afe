// One-shot job (mongosh, connected to mongo-1): makes the three mongod
// containers one replica set, rs0, unless they already are one, then waits
// for a primary, so the order services can depend on its completion.
const members = ['mongo-1:27017', 'mongo-2:27017', 'mongo-3:27017'].map((host, i) => ({ _id: i, host }));

function initiated() {
  try {
    return rs.status().ok === 1;
  } catch (error) {
    // NotYetInitialized (94): the set has no configuration yet.
    if (error.code === 94) return false;
    throw error;
  }
}

if (!initiated()) {
  printjson(rs.initiate({ _id: 'rs0', members }));
}
for (let i = 0; i < 120; i++) {
  const primary = rs.status().members?.find((member) => member.stateStr === 'PRIMARY');
  if (primary) {
    print(`replica set rs0: primary ${primary.name}`);
    quit(0);
  }
  sleep(1000);
}
print('replica set rs0 elected no primary in 120 s');
quit(1);
