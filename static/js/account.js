// Personal account and support chat. No inline scripts: the pages carry data-* attributes.
(function () {
  "use strict";

  // Support chat: poll a small JSON endpoint and append new messages without a reload.
  function startChat(chat) {
    var pollUrl = chat.dataset.pollUrl;
    var seconds = parseInt(chat.dataset.pollSeconds, 10) || 5;
    var lastId = parseInt(chat.dataset.lastId, 10) || 0;
    var viewer = chat.dataset.viewer;
    var labels = { subscriber: chat.dataset.labelSubscriber, agent: chat.dataset.labelAgent };

    function append(message) {
      var empty = chat.querySelector(".chat-empty");
      if (empty) { empty.remove(); }
      var box = document.createElement("div");
      box.className = "chat-message chat-" + message.author + (message.author === viewer ? " chat-mine" : "");
      var meta = document.createElement("div");
      meta.className = "small text-muted";
      meta.textContent = (labels[message.author] || message.author) + " · " + message.time;
      var body = document.createElement("div");
      body.className = "chat-body";
      body.textContent = message.body;  // text, never HTML
      box.appendChild(meta);
      box.appendChild(body);
      chat.appendChild(box);
      chat.scrollTop = chat.scrollHeight;
    }

    function poll() {
      fetch(pollUrl + "?after=" + lastId, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
        .then(function (data) {
          data.messages.forEach(function (message) {
            if (message.id > lastId) { append(message); lastId = message.id; }
          });
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ })
        .finally(function () { window.setTimeout(poll, seconds * 1000); });
    }

    chat.scrollTop = chat.scrollHeight;
    window.setTimeout(poll, seconds * 1000);
  }

  // Forms that charge money: disable the button after the first submit (the server's
  // idempotency key is the real guard; this only spares a second request).
  function guardSubmit(form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var chat = document.getElementById("chat");
    if (chat && chat.dataset.pollUrl) { startChat(chat); }
    document.querySelectorAll("form[data-single-submit]").forEach(guardSubmit);
  });
})();
