// Mount Stripe's card field and confirm the SetupIntent; Stripe then returns to our page.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    stripe.confirmCardSetup(form.dataset.secret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          document.getElementById("card-errors").textContent = result.error.message;
        } else {
          var back = new URL(form.dataset.return);
          back.searchParams.set("setup_intent", result.setupIntent.id);
          window.location.assign(back.toString());
        }
      });
  });
})();
