"""MorvanZhou's PyTorch-Tutorial, 304_save_reload.py: train a Sequential net, save it whole
(torch.save(net)) and as a state_dict, then restore both ways and predict.

Source: https://github.com/MorvanZhou/PyTorch-Tutorial/blob/master/tutorial-contents/304_save_reload.py
(MIT). Written for jitgrad's corpus from that file. Changes: the plots become prints of the
predictions; manual_seed(1) is on; torch.load of the whole net passes weights_only=False
(required since PyTorch 2.6 for a pickled module).
"""
# ruff: noqa: B007  (the original's style, kept)
import torch

torch.manual_seed(1)    # reproducible

# fake data
x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)  # x data (tensor), shape=(100, 1)
y = x.pow(2) + 0.2*torch.rand(x.size())  # noisy y data (tensor), shape=(100, 1)


def save():
    # save net1
    net1 = torch.nn.Sequential(
        torch.nn.Linear(1, 10),
        torch.nn.ReLU(),
        torch.nn.Linear(10, 1)
    )
    optimizer = torch.optim.SGD(net1.parameters(), lr=0.5)
    loss_func = torch.nn.MSELoss()

    for t in range(100):
        prediction = net1(x)
        loss = loss_func(prediction, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    # plot result
    print('net1', loss.item(), prediction.data.numpy()[::20, 0])

    # 2 ways to save the net
    torch.save(net1, 'net.pkl')  # save entire net
    torch.save(net1.state_dict(), 'net_params.pkl')   # save only the parameters


def restore_net():
    # restore entire net1 to net2
    net2 = torch.load('net.pkl', weights_only=False)
    prediction = net2(x)
    print('net2', net2, prediction.data.numpy()[::20, 0])


def restore_params():
    # restore only the parameters in net1 to net3
    net3 = torch.nn.Sequential(
        torch.nn.Linear(1, 10),
        torch.nn.ReLU(),
        torch.nn.Linear(10, 1)
    )

    # copy net1's parameters into net3
    print(net3.load_state_dict(torch.load('net_params.pkl')))
    prediction = net3(x)
    print('net3', prediction.data.numpy()[::20, 0])
    print(list(net3.state_dict().keys()), net3.state_dict()['2.bias'])

# save net1
save()

# restore entire net (may slow)
restore_net()

# restore only the net parameters
restore_params()
