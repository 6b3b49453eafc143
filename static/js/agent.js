// Agent console: refresh the number's status panel when the lost number is typed.
// Shows only the lock state and the failed claims: the same for a number that is ours and one that
// is not (no home region, no open ticket), so the panel cannot list subscribers.
(function () {
  "use strict";
  var form = document.getElementById("agent-claim-form");
  var panel = document.getElementById("number-status");
  var texts = document.getElementById("status-texts");
  if (!form || !panel || !texts) {
    return;
  }
  var input = form.querySelector("input[name='msisdn']");
  var lastAsked = "";

  function setField(name, text, badgeClass) {
    var cell = panel.querySelector("[data-field='" + name + "']");
    if (!cell) {
      return;
    }
    cell.textContent = "";
    if (badgeClass) {
      var badge = document.createElement("span");
      badge.className = "badge " + badgeClass;
      badge.textContent = text;
      cell.appendChild(badge);
    } else {
      cell.textContent = text;
    }
  }

  // A Russian number as the pages write it (+7 916 123-45-67, the server's format_phone); others as given.
  function grouped(msisdn) {
    var parts = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(msisdn);
    return parts ? "+7 " + parts[1] + " " + parts[2] + "-" + parts[3] + "-" + parts[4] : msisdn;
  }

  function show(status) {
    setField("msisdn", grouped(status.msisdn));
    if (status.locked) {
      setField("lock", texts.dataset.locked, "text-bg-danger");
    } else {
      setField("lock", texts.dataset.open, "text-bg-success");
    }
    setField("failures", status.failedClaims + " / " + status.maxFailedClaims);
    panel.hidden = false;
  }

  function refresh() {
    var value = input.value.trim();
    if (value.length < 5 || value === lastAsked) {
      return;
    }
    lastAsked = value;
    var url = panel.dataset.statusUrl + "?msisdn=" + encodeURIComponent(value);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        if (status) {
          show(status);
        }
      })
      .catch(function () {
        /* The panel is a convenience: the claim itself checks everything. */
      });
  }

  if (input) {
    input.addEventListener("change", refresh);
    input.addEventListener("blur", refresh);
  }
})();
