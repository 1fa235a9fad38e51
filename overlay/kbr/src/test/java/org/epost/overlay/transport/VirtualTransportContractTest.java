package org.epost.overlay.transport;

import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.sim.Simulation;

/** The transport contract on the simulator's virtual network. */
class VirtualTransportContractTest extends TransportContractTest {
  private final Simulation sim = Simulation.builder().seed(3).build();

  @Override
  protected Network network() {
    return new Network() {
      public Endpoint newEndpoint() {
        Endpoint e = new Endpoint(Id.random(sim.random()));
        sim.addRawNode(
            e.id,
            env -> {
              e.transport = env.transport();
              return e;
            });
        return e;
      }

      public void runUntil(java.util.function.BooleanSupplier done) {
        for (int i = 0; i < 6000 && !done.getAsBoolean(); i++) {
          sim.runFor(10);
        }
      }

      public void close() {}
    };
  }

  @Override
  protected Address deadAddress() {
    return Address.virtual(9999);
  }
}
