// A test SMSC built on the npm "smpp" package (not our code): takes one ESME's bind_transceiver,
// answers submit_sm with a message id, and sends a delivery receipt for each part that asks for one
// (UNDELIV for a destination ending in 0000, DELIVRD otherwise; for one ending in 1111 the receipt
// waits for the next bind_receiver, as a late receipt would). Writes each event as a JSON line.
// Usage: node smsc.js PORT SYSTEM_ID PASSWORD
"use strict";
const smpp = require("smpp");
const [port, systemId, password] = process.argv.slice(2);
let counter = 0;
const held = [];

function receipt(id, stat) {
  return "id:" + id + " sub:001 dlvrd:001 submit date:2612021200 done date:2612021200 stat:" + stat + " err:000 text:";
}

function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

const server = smpp.createServer({}, (session) => {
  session.on("error", () => {});
  const bind = (kind) => (pdu) => {
    session.pause();
    if (pdu.system_id !== systemId || pdu.password !== password) {
      session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
      emit({ event: "bind_refused", system_id: pdu.system_id });
      session.close();
      return;
    }
    session.send(pdu.response());
    session.resume();
    emit({ event: "bound", kind: kind, system_id: pdu.system_id });
    if (kind === "receiver") {
      while (held.length) {
        const late = held.shift();
        session.deliver_sm({ source_addr: late.to, destination_addr: late.from, esm_class: 4, short_message: receipt(late.id, "DELIVRD") });
      }
    }
  };
  session.on("bind_transceiver", bind("transceiver"));
  session.on("bind_receiver", bind("receiver"));
  session.on("submit_sm", (pdu) => {
    counter += 1;
    const id = "smsc-" + counter;
    const sm = pdu.short_message;
    emit({
      event: "submit_sm",
      message_id: id,
      source_addr: pdu.source_addr,
      source_addr_ton: pdu.source_addr_ton,
      destination_addr: pdu.destination_addr,
      dest_addr_ton: pdu.dest_addr_ton,
      data_coding: pdu.data_coding,
      esm_class: pdu.esm_class,
      registered_delivery: pdu.registered_delivery,
      message: typeof sm === "string" ? sm : sm.message,
      udh: (sm.udh || []).map((b) => b.toString("hex")),
    });
    session.send(pdu.response({ message_id: id }));
    if (pdu.registered_delivery && pdu.destination_addr.endsWith("1111")) {
      held.push({ id: id, to: pdu.destination_addr, from: pdu.source_addr });
    } else if (pdu.registered_delivery) {
      const stat = pdu.destination_addr.endsWith("0000") ? "UNDELIV" : "DELIVRD";
      session.deliver_sm({ source_addr: pdu.destination_addr, destination_addr: pdu.source_addr, esm_class: 4, short_message: receipt(id, stat) });
    }
  });
  session.on("deliver_sm_resp", () => emit({ event: "deliver_sm_resp" }));
  session.on("enquire_link", (pdu) => session.send(pdu.response()));
  session.on("unbind", (pdu) => {
    session.send(pdu.response());
    session.close();
    emit({ event: "unbound" });
  });
});

server.listen(Number(port), "127.0.0.1", () => emit({ event: "listening" }));
