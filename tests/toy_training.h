#pragma once
// A network learns a fixed toy target with a few Adam steps: the check that gradients reach every
// part of a model. Returns the last loss over the first.
#include <torch/torch.h>

namespace tomopick::test {

template <class Net>
float toy_training_ratio(Net& net, const torch::Tensor& x, int steps) {
  const auto target = (x > 0.5).to(torch::kFloat);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2));
  float first = 0, last = 0;
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    const torch::Tensor loss = torch::binary_cross_entropy_with_logits(net->forward(x), target);
    loss.backward();
    opt.step();
    if (i == 0) first = loss.item<float>();
    last = loss.item<float>();
  }
  return last / first;
}

}  // namespace tomopick::test
